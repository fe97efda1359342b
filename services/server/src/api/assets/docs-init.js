// Starts Swagger UI on /api/docs. A file of its own, not inline: the page's CSP allows scripts from 'self' only.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // No "Try it out" token prompts against other origins, no external validator badge.
    validatorUrl: null,
  });
});
