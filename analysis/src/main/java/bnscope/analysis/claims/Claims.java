package bnscope.analysis.claims;

import bnscope.analysis.AnalyzeOptions;
import bnscope.analysis.RunDirectory;
import bnscope.core.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The paper's claims as checks on a run (issue 11), in the order of the claims table. One class per
 * claim; a new claim is one more class and one more line here. Claims 1–8 are issue 11's (the
 * paper's), 9–10 issue 12's (sharpness, beyond the paper).
 */
public final class Claims {
    private Claims() {
    }

    public static List<Claim> all() {
        return List.of(
                new BatchNormTrainsFaster(),
                new StandardFailsAtHighLearningRate(),
                new NoisyBatchNormTrainsWell(),
                new NoisyBatchNormMovesDistributions(),
                new BatchNormDoesNotReduceIcs(),
                new BatchNormSmoothsLandscape(),
                new LpNormalizationsMatchBatchNorm(),
                new TheoryIdentitiesHold(),
                new BatchNormLowersSharpness(),
                new DeepLinearEdgeOfStability());
    }

    /** Evaluates every claim on the run's metric tables (run `analyze` first; absent tables make claims "not measured"). */
    public static ClaimsTable evaluate(RunDirectory run, AnalyzeOptions options) {
        ClaimData data = new ClaimData(run, options);
        List<ClaimResult> results = new ArrayList<>();
        for (Claim c : all()) {
            results.add(c.evaluate(data));
        }
        return new ClaimsTable(run.path().toString(), results, data.leftOutCells());
    }

    /** The claim numbers of a comma-separated list such as "1,2,3"; bad input names the known numbers. */
    public static List<Integer> parseNumbers(String list) {
        List<Integer> known = all().stream().map(Claim::number).toList();
        List<Integer> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.strip();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new BadInputException("--expect " + list + ": '" + p + "' is not a claim number. Give claim numbers separated "
                        + "by commas, e.g. --expect 1,5,8; the claims are " + describe(known) + ".");
            }
            if (!known.contains(n)) {
                throw new BadInputException("--expect " + list + ": there is no claim " + n + ". The claims are " + describe(known)
                        + " (`./submit.sh claims RUN_DIR` lists them).");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    private static String describe(List<Integer> known) {
        return known.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
