// The concurrent writer of bench/ttl-sweep.sh: updates random ext_storage_records rows (live and
// expired alike) one short transaction at a time until the stop file appears, and prints its
// latency: count p50 p99 max (milliseconds). Run with the pgrunbook jar on the class path
// (JDBC driver, HdrHistogram): java -cp target/pgrunbook.jar bench/TtlWriterProbe.java URL STOPFILE
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

public class TtlWriterProbe {
    static final String UPDATE = "UPDATE ext_storage_records SET revision = revision + 1 "
            + "WHERE tenant_id = md5('tenant-' || ?)::uuid AND install_id = md5('install-' || ? || '-' || ?)::uuid "
            + "AND namespace = 'ns-' || ? AND key = 'key-' || lpad(?::text, 5, '0')";

    public static void main(String[] args) throws Exception {
        int tenants = Integer.parseInt(args[2]), installs = Integer.parseInt(args[3]), namespaces = Integer.parseInt(args[4]), keys = Integer.parseInt(args[5]);
        Path stop = Path.of(args[1]);
        Histogram h = new Histogram(60_000_000_000L, 3);
        try (Connection c = DriverManager.getConnection(args[0]); PreparedStatement ps = c.prepareStatement(UPDATE)) {
            Files.writeString(Path.of(args[1] + ".ready"), "ready");
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (!Files.exists(stop)) {
                int t = 1 + r.nextInt(tenants), i = 1 + r.nextInt(installs);
                ps.setString(1, String.valueOf(t));
                ps.setString(2, String.valueOf(t));
                ps.setString(3, String.valueOf(i));
                ps.setString(4, String.valueOf(1 + r.nextInt(namespaces)));
                ps.setInt(5, 1 + r.nextInt(keys));
                long t0 = System.nanoTime();
                ps.executeUpdate();
                h.recordValue(System.nanoTime() - t0);
            }
        }
        System.out.printf("%d %.2f %.2f %.2f%n", h.getTotalCount(), h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
    }
}
