package notebook

// Restore replaces nb's blocks with those of rec, the recovery copy of the same file (LoadRecovery), and
// keeps nb's record of the file on disk: saving the restored notebook still notices another writer, as
// saving nb would.
func (nb *Notebook) Restore(rec *Notebook) {
	nb.Blocks, nb.bom = rec.Blocks, rec.bom
}

// Reload replaces nb with fresh, the same file read again from disk (Load) after another writer changed it:
// its blocks and its record of the file, so that the next save compares the file with what fresh read.
func (nb *Notebook) Reload(fresh *Notebook) {
	*nb = *fresh
}
