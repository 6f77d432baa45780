/* beadm's entry point. */
#include "beadm.h"

int
main(int argc, char **argv)
{
	return beadm_main(argc, argv, NULL);
}
