package io.pgrunbook.db;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Converts between runbook values and JDBC: binding variables and reading results into plain values. */
public final class JdbcValues {
    private JdbcValues() {}

    /** Binds a variable: strings go as untyped literals so the server infers their type from context. */
    public static void bind(Connection conn, PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else if (value instanceof Long l) {
            ps.setLong(index, l);
        } else if (value instanceof Integer i) {
            ps.setInt(index, i);
        } else if (value instanceof BigInteger b) {
            ps.setBigDecimal(index, new BigDecimal(b));
        } else if (value instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (value instanceof Double d) {
            ps.setDouble(index, d);
        } else if (value instanceof Boolean b) {
            ps.setBoolean(index, b);
        } else if (value instanceof List<?> list) {
            ps.setArray(index, array(conn, list));
        } else {
            ps.setObject(index, value.toString(), Types.OTHER);
        }
    }

    private static Array array(Connection conn, List<?> list) throws SQLException {
        boolean allIntegers = !list.isEmpty() && list.stream().allMatch(o -> o instanceof Long || o instanceof Integer);
        boolean allNumbers = !list.isEmpty() && list.stream().allMatch(o -> o instanceof Number);
        if (allIntegers) {
            return conn.createArrayOf("bigint", list.stream().map(o -> ((Number) o).longValue()).toArray());
        }
        if (allNumbers) {
            return conn.createArrayOf("numeric", list.stream().map(o -> new BigDecimal(o.toString())).toArray());
        }
        return conn.createArrayOf("text", list.stream().map(o -> o == null ? null : o.toString()).toArray());
    }

    /** Reads a column as String, Number, Boolean, List or null: what reports and expectations use. */
    public static Object read(ResultSet rs, int column) throws SQLException {
        return switch (rs.getMetaData().getColumnType(column)) {
            case Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.DECIMAL, Types.REAL, Types.FLOAT,
                    Types.DOUBLE, Types.BIT, Types.BOOLEAN, Types.ARRAY, Types.BINARY, Types.VARBINARY -> plain(rs.getObject(column));
            // timestamps, intervals, json, uuid, inet...: PostgreSQL's own text form is what a DBA expects.
            default -> rs.getString(column);
        };
    }

    static Object plain(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Short s) {
            return s.longValue();
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Long || v instanceof BigDecimal) {
            return v;
        }
        if (v instanceof Float f) {
            return Double.valueOf(f.toString());
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? d.toString() : d;
        }
        if (v instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (v instanceof Array a) {
            Object[] items = (Object[]) a.getArray();
            List<Object> out = new ArrayList<>(items.length);
            for (Object item : items) {
                out.add(plain(item));
            }
            return out;
        }
        return v.toString();
    }
}
