package bnscope.analysis;

import org.apache.spark.sql.Column;
import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/** The key columns a join or grouping uses, in the forms the Spark Java API takes. */
final class KeyColumns {
    private KeyColumns() {
    }

    /** Names as a Scala Seq, for {@code Dataset.join(other, usingColumns, joinType)}. */
    static Seq<String> seq(List<String> names) {
        return JavaConverters.asScalaBuffer(names).toSeq();
    }

    static Seq<String> seq(String... names) {
        return seq(Arrays.asList(names));
    }

    static Column[] cols(List<String> names) {
        return names.stream().map(n -> col(n)).toArray(Column[]::new);
    }

    static Column[] cols(String... names) {
        return cols(Arrays.asList(names));
    }
}
