import io.pgrunbook.steps.shardset.JumpHash;
import java.util.ArrayList;
import java.util.List;

/**
 * For bench/shard-move.sh: which restaurant ids each of 4 shards holds (jump hash over 4), and which
 * of them move when a fifth shard is added (jump hash over 5 gives 4), as PostgreSQL array literals.
 * Usage: java -cp target/pgrunbook.jar bench/ShardMoveKeys.java RESTAURANTS
 * Prints: "home SHARD {ids}" and "move SHARD {ids}" lines.
 */
public class ShardMoveKeys {
    public static void main(String[] args) {
        long restaurants = Long.parseLong(args[0]);
        List<List<Long>> home = new ArrayList<>();
        List<List<Long>> move = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            home.add(new ArrayList<>());
            move.add(new ArrayList<>());
        }
        for (long r = 1; r <= restaurants; r++) {
            int s = JumpHash.bucket(r, 4);
            home.get(s).add(r);
            if (JumpHash.bucket(r, 5) == 4) {
                move.get(s).add(r);
            }
        }
        for (int i = 0; i < 4; i++) {
            System.out.println("home " + i + " " + literal(home.get(i)));
            System.out.println("move " + i + " " + literal(move.get(i)));
        }
    }

    private static String literal(List<Long> ids) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ids.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(ids.get(i));
        }
        return sb.append('}').toString();
    }
}
