#!/usr/bin/env python3
"""embed.py IN OUT NAME: a C header with the text of IN as the string NAME.

The channel programs of libzbe are files of their own (zfs/*.zcp); the
library carries their text, so that no installed file can go missing.
"""
import os
import sys

src, out, name = sys.argv[1:4]
with open(src, encoding='utf-8') as f:
    text = f.read()
with open(out, 'w', encoding='utf-8') as f:
    f.write('/* generated from %s by embed.py: do not edit */\n' % os.path.basename(src))
    f.write('static const char %s[] =\n' % name)
    for line in text.splitlines(True):
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\t', '\\t').replace('\n', '\\n')
        f.write('    "%s"\n' % esc)
    f.write('    ;\n')
