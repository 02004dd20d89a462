package bnscope.core.surface;

import bnscope.core.models.Evaluation;
import bnscope.core.snapshots.SnapshotSink;
import bnscope.core.snapshots.StepKey;
import bnscope.core.tables.SnapshotTables;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;

/**
 * Evaluates a share of a surface's points and writes one {@code surface} row per point to a sink:
 * the work of one Spark task, kept free of Spark so it runs (and is tested) in a plain JVM.
 */
public final class SurfaceRows {
    private final SurfaceProblem problem;
    private final SurfaceGrid grid;
    private final SurfaceSeeds seeds;

    public SurfaceRows(SurfaceProblem problem, SurfaceGrid grid, SurfaceSeeds seeds) {
        this.problem = problem;
        this.grid = grid;
        this.seeds = seeds;
    }

    /** Evaluates every point of {@code points} and writes its row; returns the number of rows written. */
    public long write(Iterator<SurfacePoint> points, StepKey key, SnapshotSink sink) {
        MultiLayerNetwork net = problem.network();
        DataSet sample = problem.sample();
        long rows = 0;
        while (points.hasNext()) {
            SurfacePoint p = points.next();
            Evaluation.Result r = problem.evaluate(net, sample, p);
            sink.write(SnapshotTables.SURFACE, key.startRow(SnapshotTables.SURFACE)
                    .set("kind", p.kind()).set("i", p.i()).set("j", p.j()).set("alpha", p.alpha()).set("beta", p.beta())
                    .set("loss", r.loss()).set("accuracy", r.accuracy()).set("examples", r.examples())
                    .set("grid", grid.toString()).set("span", grid.span())
                    .set("direction_seed", seeds.direction()).set("sample_seed", seeds.sample()).build());
            rows++;
        }
        return rows;
    }
}
