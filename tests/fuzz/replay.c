/* replay.c: run a fuzz harness over its saved corpus, without libFuzzer (make check). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Feed every file of each directory given to the harness; with none, its
 * saved corpus, $TRIAGE_SRCDIR/tests/fuzz/corpus/FUZZ_NAME.
 */
int
main(int argc, char **argv)
{
	struct buf	 b = BUF_INIT;
	struct dirent	*de;
	DIR		*d;
	char		*path, *cause = NULL, *deflt[2] = { NULL, NULL };
	const char	*src;
	int		 i, n = 0;

	if (argc < 2) {
		src = getenv("TRIAGE_SRCDIR");
		deflt[1] = xprintf("%s/tests/fuzz/corpus/%s",
		    src != NULL ? src : ".", FUZZ_NAME);
		argv = deflt;
		argc = 2;
	}
	for (i = 1; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL) {
			fprintf(stderr, "replay: %s: cannot open\n", argv[i]);
			return (1);
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			path = xprintf("%s/%s", argv[i], de->d_name);
			buf_reset(&b);
			if (buf_read_file(&b, path, 0, &cause) != 0) {
				fprintf(stderr, "replay: %s\n", cause);
				return (1);
			}
			LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
			free(path);
			n++;
		}
		closedir(d);
	}
	buf_free(&b);
	free(deflt[1]);
	printf("replayed %d inputs\n", n);
	return (n > 0 ? 0 : 1);
}
