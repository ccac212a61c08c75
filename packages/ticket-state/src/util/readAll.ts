/**
 * Read every element of an SSZ list view, committing its pending changes first. `@chainsafe/ssz`
 * refuses to read a whole list with uncommitted changes ("Must commit changes before reading all
 * nodes"); the epoch context once read `state.validators` right after an epoch transition had
 * changed it, and every node halted at that boundary for ever. Committing builds tree nodes and
 * hashes nothing; it is invisible to the values. The lint plugin `tools/biome/readAll.grit` keeps
 * every whole-list read going through here.
 */
export function readAllValues<T>(list: { commit(): void; getAllReadonlyValues(): T[] }): T[] {
  list.commit();
  // biome-ignore lint/plugin: the one place that may read a whole list, just after committing it
  return list.getAllReadonlyValues();
}
