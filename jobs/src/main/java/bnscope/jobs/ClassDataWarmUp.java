package bnscope.jobs;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads the classes every bnscope command pays for at start-up, so that {@code submit.sh} can store
 * them once per build in a class-data archive (AppCDS, JEP 350: {@code -XX:ArchiveClassesAtExit},
 * then {@code -XX:SharedArchiveFile}) and later JVMs map them instead of loading them again.
 *
 * <p>Why: a one-shot {@code ./submit.sh sql} spent about 7.6 of its 12.6 s in
 * {@code ClassLoader.defineClass}, reading and verifying Spark's, Hadoop's and Parquet's classes
 * from the fat class path (docs/queries.md). What this touches: the command line (picocli and
 * bnscope's command tree), a local Spark session built as every job builds it, SQL parsing,
 * planning and code generation, and Parquet written with partitions and an array column and read
 * back through the vectorized reader, as the tables are. It writes only to a temporary directory,
 * which it deletes; it trains nothing and needs no data.
 */
public final class ClassDataWarmUp {
    private ClassDataWarmUp() {
    }

    public static void main(String[] args) throws IOException {
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            Main.run(new String[]{"help", "sql"}, quiet, quiet);
        }
        Path dir = Files.createTempDirectory("bnscope-class-data");
        SparkSession spark = SparkSessions.create("bnscope class-data warm-up", null, 1);
        try {
            String table = dir.resolve("table").toString();
            spark.range(64).selectExpr("cast(id % 2 as string) as variant", "id as step", "cast(id as double) as loss",
                    "array(cast(id as float), cast(id * 2 as float)) as g").write().partitionBy("variant").parquet(table);
            spark.read().parquet(table).createOrReplaceTempView("warm_up");
            List<Row> rows = spark.sql("select variant, count(*) as n, avg(loss) as loss, max(size(g)) as len "
                    + "from warm_up where step >= 0 group by variant order by variant").collectAsList();
            if (rows.size() != 2) {
                throw new IllegalStateException("the class-data warm-up query returned " + rows.size() + " rows, not 2");
            }
        } finally {
            spark.stop();
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
