/* What the commands share on their command lines. */
#ifndef ZBE_CMDLINE_H
#define ZBE_CMDLINE_H

/*
 * --help/-h (help() is called) and --version/-V as the first argument:
 * returns the exit status, 0; otherwise -1 and the command goes on.
 */
int cmdline_help_version(int argc, char **argv, const char *tool, void (*help)(void));

#endif
