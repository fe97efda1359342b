import { generateKeyPair } from './dpop.ts';
import { withLock } from './lock.ts';

// IndexedDB, unlike localStorage, is consistent across tabs the moment a
// transaction completes (Chromium mirrors localStorage into each renderer
// process and syncs it later). It holds the DPoP key pair — CryptoKey objects
// are structured-cloneable, so the non-extractable key itself, never its
// bytes — and the record of the last refresh, which tabs read under the lock.
const STORE = 'keys';

function request<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('latchkey', 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(STORE, mode);
      const req = run(tx.objectStore(STORE));
      tx.oncomplete = () => (db.close(), resolve(req.result));
      tx.onerror = tx.onabort = () => (db.close(), reject(tx.error));
    };
  });
}

export const readRecord = <T>(id: string): Promise<T | undefined> => request<T | undefined>('readonly', (store) => store.get(id));
export const writeRecord = (id: string, value: unknown): Promise<unknown> => request('readwrite', (store) => store.put(value, id));
export const deleteRecord = (id: string): Promise<unknown> => request('readwrite', (store) => store.delete(id));

/** This client's DPoP key pair; made (once, across tabs) when `create` is set and there is none. */
export function loadKeyPair(id: string, create: boolean): Promise<CryptoKeyPair | undefined> {
  return withLock(`latchkey:key:${id}`, async () => {
    let keys = await readRecord<CryptoKeyPair>(id);
    if (!keys && create) {
      keys = await generateKeyPair();
      await writeRecord(id, keys);
    }
    return keys;
  });
}
