/*
 * libFuzzer target: the tree as OpenZFS gives it ("zfs list -Hp -o
 * name,<props>" lines, one dataset each), fed a line at a time as the
 * command's output arrives, then finished (sorted, local mountpoints
 * derived) and looked up.
 */
#include "zfs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	zbe_tree_t t = { 0 };
	zbe_err_t err = ZBE_OK;
	char *text = malloc(size + 1), *line, *save = NULL;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL && err == ZBE_OK; line = strtok_r(NULL, "\n", &save))
		err = zbe_tree_list_line(&t, line);
	if (err == ZBE_OK) {
		zbe_tree_finish(&t);
		for (size_t i = 0; i < t.n; i++)
			(void)zbe_tree_find(&t, t.ds[i].name);
	}
	zbe_tree_free(&t);
	free(text);
	return 0;
}
