import { generateKeyPair } from './dpop.ts';
import { withLock } from './lock.ts';

// CryptoKey objects are structured-cloneable: IndexedDB keeps the
// non-extractable key itself, never its bytes.
const STORE = 'keys';

function request<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('latchkey', 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = run(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => (db.close(), resolve(req.result));
      req.onerror = () => (db.close(), reject(req.error));
    };
  });
}

/** This client's DPoP key pair; made (once, across tabs) when `create` is set and there is none. */
export function loadKeyPair(id: string, create: boolean): Promise<CryptoKeyPair | undefined> {
  return withLock(`latchkey:key:${id}`, async () => {
    let keys = await request<CryptoKeyPair | undefined>('readonly', (store) => store.get(id));
    if (!keys && create) {
      keys = await generateKeyPair();
      await request('readwrite', (store) => store.put(keys, id));
    }
    return keys;
  });
}

export const deleteKeyPair = (id: string): Promise<unknown> => request('readwrite', (store) => store.delete(id));
