/*
 * vmhwm.so: an LD_PRELOAD probe for bench/run.  When a process that has it
 * loaded exits normally, it appends "<comm>\t<pid>\t<VmHWM kB>" to the file
 * $ZBE_HWM_LOG: the peak RSS of that process alone (/usr/bin/time -v
 * reports the largest of the process and the children it waited for, and
 * beadm's children are zfs processes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void
vmhwm_report(void)
{
	const char *log = getenv("ZBE_HWM_LOG");
	char line[256], comm[64] = "?", hwm[64] = "?";
	FILE *f, *o;

	if (log == NULL || (f = fopen("/proc/self/status", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Name:", 5) == 0)
			sscanf(line + 5, "%63s", comm);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			sscanf(line + 6, "%63s", hwm);
	}
	fclose(f);
	if ((o = fopen(log, "ae")) != NULL) {
		fprintf(o, "%s\t%d\t%s\n", comm, (int)getpid(), hwm);
		fclose(o);
	}
}
