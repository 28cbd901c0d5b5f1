#!/usr/bin/env python3
"""symbol_lines against datatrove 0.10.1's SymbolLinesFormatter, with its defaults and with
FineWeb-2's settings (symbols_to_remove = ["|"], replace_char = "\\n"), on the real page texts of
../shared/data/web (de, en, other) as they are and with table and separator rows the script
inserts (a seeded choice of `| | |`, `---`, `* * *`, `|`, `=====`, `• • •`, `-\\t-`, ` | `,
after every few lines): the share of documents whose output text is identical. datatrove runs in
the peers' environment (../shared/peers/install.sh).

    scripts/parity_symbol_lines.py [--shared ../shared] [--bin target/release/thresh]
"""
import os

from thresh_run import formatter_parity, script_args, web_documents


ROWS = ["| | |", "---", "* * *", "|", "=====", "• • •", "-\t-", " | ", "|  |  |", "++--++"]
SETTINGS = {
    "datatrove defaults": {},
    "FineWeb-2": {"symbols_to_remove": ["|"], "replace_char": "\n"},
}


def damaged(text, rng):
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % rng.randint(2, 6) == 0:
            out.extend(rng.choice(ROWS) for _ in range(rng.randint(1, 3)))
    return "\n".join(out)


def main():
    args = script_args(__doc__, os.path.join("data", "web"))
    if args is None:
        return 0
    docs = web_documents(args.shared, damaged, 7)
    formatter_parity(args.bin, docs, ('datatrove.pipeline.formatters', 'SymbolLinesFormatter'), "symbol_lines", SETTINGS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
