/* testutil.h — helpers shared by the cmocka unit tests: locating the shared data folder
 * (VIGIL_SHARED) and the repo's test data (VG_TEST_DATA), and reading whole files. */
#ifndef VG_TESTUTIL_H
#define VG_TESTUTIL_H

#include <stddef.h>

/* Joins VIGIL_SHARED (default "../shared") and `rel`; the caller frees. */
char *vg_test_shared_path(const char *rel);
/* Joins VG_TEST_DATA (tests/data) and `rel`; the caller frees. */
char *vg_test_data_path(const char *rel);
/* Reads a whole file into a NUL-terminated heap buffer, or returns NULL if it is missing. */
char *vg_test_read_file(const char *path, size_t *len);

#endif
