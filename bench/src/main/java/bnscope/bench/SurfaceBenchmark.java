package bnscope.bench;

import bnscope.core.surface.SurfaceGrid;
import bnscope.jobs.SurfaceJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Throughput of the surface job (issue 12): points per second of the Spark evaluation on local[1]
 * and on local[2] for the same surface, their ratio (the speed-up from a second core, target ≥ 1.7),
 * and the wall time of a whole 31×31 surface (the command as a user runs it, session start and
 * commit included) on local[2]. A first, untimed surface warms the JVM up. Each surface is computed by {@link SurfaceJob} itself, on a
 * checkpoint of a trained run, and committed into that run's {@code surface} table.
 *
 * <p>Options: {@code SurfaceBenchmark --help}. Prints {@code RESULT} lines ({@link BenchmarkResults}).
 */
@Command(name = "SurfaceBenchmark", mixinStandardHelpOptions = true,
        description = "Points/s of the surface job on local[1] and local[2], the speed-up, and a 31x31 surface's wall time on 2 cores.")
public final class SurfaceBenchmark implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "a trained run with a checkpoint")
    String runDir;
    @Option(names = "--variant", paramLabel = "V", description = "variant whose checkpoint is used (default ${DEFAULT-VALUE})")
    String variant = "batchnorm";
    @Option(names = "--step", paramLabel = "N", required = true, description = "checkpoint step")
    long step;
    @Option(names = "--sample", paramLabel = "N", description = "training sample size (default ${DEFAULT-VALUE})")
    int sample = SurfaceJob.DEFAULT_SAMPLE;
    @Option(names = "--grid", paramLabel = "CxR", description = "surface timed on local[1] and local[2] (default ${DEFAULT-VALUE})")
    String grid = "11x11";
    @Option(names = "--full-grid", paramLabel = "CxR", description = "surface whose wall time is measured on local[2] (default ${DEFAULT-VALUE})")
    String fullGrid = "31x31";

    public static void main(String[] args) {
        BenchmarkCli.main(new SurfaceBenchmark(), args);
    }

    @Override
    public Integer call() {
        BenchmarkResults results = new BenchmarkResults(System.out);
        SurfaceGrid small = SurfaceGrid.parse(grid, 1.0, 0);
        results.put("surface.sample", sample);
        results.put("surface.grid", small.toString());
        results.put("surface.points", small.pointCount());
        // untimed first: class loading, JIT and the data cache would otherwise count against local[1], which runs first
        surface(small, "local[2]", 8);
        // the same 8 tasks on both masters: the same task sizes, so only the cores differ
        SurfaceJob.Outcome one = surface(small, "local[1]", 8);
        SurfaceJob.Outcome two = surface(small, "local[2]", 8);
        double perSecond1 = small.pointCount() / one.seconds();
        double perSecond2 = small.pointCount() / two.seconds();
        results.put("surface.local1.points_per_s", perSecond1);
        results.put("surface.local2.points_per_s", perSecond2);
        results.put("surface.speedup", perSecond2 / perSecond1);

        SurfaceGrid full = SurfaceGrid.parse(fullGrid, 1.0, 21);
        long t0 = System.nanoTime();
        SurfaceJob.Outcome whole = surface(full, "local[2]", null);
        results.put("surface.full.grid", full.toString());
        results.put("surface.full.points", full.pointCount());
        results.put("surface.full.wall_s", (System.nanoTime() - t0) / 1e9);
        results.put("surface.full.spark_s", whole.seconds());
        return 0;
    }

    private SurfaceJob.Outcome surface(SurfaceGrid g, String master, Integer partitions) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SurfaceJob.Options options = new SurfaceJob.Options(variant, null, null, step, g, sample, null, partitions,
                24 * 60, false, master);
        SurfaceJob.Outcome outcome = new SurfaceJob(options, new PrintStream(log, true, StandardCharsets.UTF_8)).run(runDir);
        System.err.print(log.toString(StandardCharsets.UTF_8));
        // the job leaves its session for in-process callers; the next surface needs a session on its own master
        SparkSession.builder().getOrCreate().stop();
        return outcome;
    }
}
