package io.pgrunbook.steps.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Rows per table in a SQL script of COPY blocks (pg_restore --data-only --file=-): each block is a
 * "COPY schema.table (...) FROM stdin;" line, one line per row, and a "\." line.
 */
final class CopyBlocks {
    private CopyBlocks() {}

    /** Rows by unquoted "schema.table". */
    static Map<String, Long> count(InputStream in) throws IOException {
        Map<String, Long> rows = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        String table = null;
        long n = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            if (table == null) {
                if (line.startsWith("COPY ") && line.endsWith("FROM stdin;")) {
                    table = qualifiedName(line.substring(5));
                    n = 0;
                }
            } else if (line.equals("\\.")) {
                rows.merge(table, n, Long::sum);
                table = null;
            } else {
                n++;
            }
        }
        return rows;
    }

    /** "public.\"Odd \"\"name\"\"\" (a, b) FROM stdin;" gives public.Odd "name". */
    static String qualifiedName(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (int part = 0; part < 2; part++) {
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length()) {
                    char ch = text.charAt(i);
                    if (ch == '"') {
                        if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                            out.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    out.append(ch);
                    i++;
                }
            } else {
                while (i < text.length() && text.charAt(i) != '.' && text.charAt(i) != ' ') {
                    out.append(text.charAt(i++));
                }
            }
            if (part == 0 && i < text.length() && text.charAt(i) == '.') {
                out.append('.');
                i++;
            } else {
                break;
            }
        }
        return out.toString();
    }
}
