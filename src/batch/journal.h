/*
 * journal.h — the append-only sidecar of an output file: every completed
 * run, serialised, so that no run survives only inside an HDF5 file that a
 * SIGKILL may have left half-flushed.
 *
 * File: a header (magic, format, hash of the experiment identity) then
 * records [magic u32][length u32][payload][journal_checksum of payload].
 * Records are written whole, one or several by one write(2), so a killed
 * process leaves at most one torn record at the end; the reader stops at
 * the first record that does not check out.  Integers and doubles are
 * stored in host byte order (the journal never leaves the machine that
 * wrote it).
 */
#ifndef USIM_BATCH_JOURNAL_H
#define USIM_BATCH_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "batch/result.h"

/* The first 8 bytes of a journal (2: records carry pilot and warmup; 3:
 * and the drift histogram; 4: a word-wise checksum instead of FNV-1a;
 * 5: only the histogram's bins from its first nonzero one to its last;
 * 6: trace samples xor-coded, journal.c).  Only this format is read: a
 * journal of another is refused, as one of another experiment is. */
#define JOURNAL_MAGIC "USIMJRN6"

/* The checksum of a record's payload (word-wise, see journal.c). */
uint64_t journal_checksum(const void *payload, size_t n);

typedef struct journal journal;

/* Creates (truncates) `path` with a header naming `ident`.  0 or -errno. */
int journal_create(journal **out, const char *path, uint64_t ident);
/* Serialises one run after the records added before it, in memory: the
 * next journal_write writes them all.  *at (if not NULL) receives the
 * offset the record will have, for journal_read_at once it is written.
 * 0, or -errno (-EIO once a write has failed); on failure the records
 * added before are kept. */
int journal_add(journal *j, const run_result *r, uint64_t *at);
/* Bytes added and not yet written. */
size_t journal_buffered(const journal *j);
/* Writes the records added, in one write(2) (a few runs of small results
 * cost one system call instead of one each).  0 or -errno; after a
 * failure they are dropped and every later write fails (-EIO). */
int journal_write(journal *j);
/* journal_add and journal_write of one run. */
int journal_append(journal *j, const run_result *r, uint64_t *at);
/* Bytes written so far (header and records). */
uint64_t journal_size(const journal *j);
/* fdatasync.  0 or -errno. */
int journal_sync(journal *j);
/* Closes the file; records added and not written are dropped. */
void journal_close(journal *j);

/*
 * Reading: the valid records of `path`, in file order.  *ident is the
 * header's identity.  Returns 0, -ENOENT if there is no journal, -EINVAL if
 * the header is not a journal's, -EPROTONOSUPPORT if it is one of another
 * format (another version of usim-batch), or another -errno.
 */
typedef struct journal_reader journal_reader;
int journal_open(journal_reader **out, const char *path, uint64_t *ident);
/* 1 and *r set (run_result_free it), 0 at the end of the valid records,
 * or -errno/-ENOMEM. */
int journal_next(journal_reader *jr, run_result **r);
/* Byte offset of the record journal_next returns next (for re-reading). */
uint64_t journal_tell(const journal_reader *jr);
/* Reads the record at `off` (a journal_tell value, or a journal_append
 * offset: records appended after the journal was opened are read too). */
int journal_read_at(journal_reader *jr, uint64_t off, run_result **r);
void journal_reader_close(journal_reader *jr);

#endif
