import { deleteStream, listAllStreams } from '../../db/ssf-streams.ts';
import { recordAuditEvent } from '../../events/audit.ts';
import { CliError, type CommandModule } from '../context.ts';

/**
 * `latchkey ssf streams list|delete`: the Shared Signals streams receivers
 * created (they manage their own through the SSF API; the operator sees all
 * and can remove one, e.g. of a receiver that went away).
 */
export const ssf: CommandModule = (program, ctx) => {
  const streams = program.command('ssf').description('Shared Signals streams').command('streams').description('list and delete receivers\' streams');

  streams
    .command('list')
    .description('list every stream with its receiver, delivery and status')
    .action(async () => {
      const { knex } = await ctx.db();
      const rows = (await listAllStreams(knex)).map((row) => ({
        stream_id: row.id,
        client_id: row.client_id,
        aud: row.aud,
        delivery_method: row.delivery_method,
        endpoint_url: row.endpoint_url,
        status: row.status,
        events_delivered: row.events_delivered,
        description: row.description,
        created_at: new Date(row.created_at).toISOString(),
      }));
      const human = rows.length
        ? rows.map((row) => `${row.stream_id}  ${row.client_id}  ${row.delivery_method === 'urn:ietf:rfc:8935' ? `push ${row.endpoint_url}` : 'poll'}  ${row.status}  ${row.events_delivered.length} event type(s)`).join('\n')
        : 'no streams';
      ctx.print({ streams: rows }, human);
    });

  streams
    .command('delete')
    .description('delete a stream and the events waiting on it')
    .argument('<id>', 'the stream id')
    .action(async (id: string) => {
      const { knex } = await ctx.db();
      const deleted = await knex.transaction(async (trx) => {
        if (!(await deleteStream(trx, id))) return false;
        await recordAuditEvent(trx, { type: 'ssf_stream.deleted', actorType: 'operator', actorId: 'cli', subject: { type: 'ssf_stream', id }, data: {} });
        return true;
      });
      if (!deleted) throw new CliError(`no stream with id ${id}`);
      ctx.print({ stream_id: id, deleted: true }, `deleted stream ${id}`);
    });
};
