/*
 * libFuzzer target: the tree as zfs-fuse gives it ("zfs get -Hp" lines,
 * name\tproperty\tvalue\tsource), then the lookups every caller makes.
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
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (zbe_tree_parse_get(&t, text) == ZBE_OK)
		for (size_t i = 0; i < t.n; i++)
			(void)zbe_tree_find(&t, t.ds[i].name);
	zbe_tree_free(&t);
	free(text);
	return 0;
}
