package bnscope.analysis.claims;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The claims of one run with their verdicts, as text (console, report) or JSON (pipelines), and the
 * grid cells left out of every statistic because they did not finish training.
 */
public record ClaimsTable(String run, List<ClaimResult> results, List<String> leftOutCells) {
    public ClaimsTable {
        results = List.copyOf(results);
        leftOutCells = List.copyOf(leftOutCells);
    }

    /** The result of claim {@code number}. */
    public ClaimResult claim(int number) {
        return results.stream().filter(r -> r.number() == number).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no claim " + number));
    }

    /** The expected claims whose verdict is {@code verdict}. */
    public List<Integer> expectedWith(List<Integer> expected, Verdict verdict) {
        return expected.stream().filter(n -> claim(n).verdict() == verdict).toList();
    }

    /** One block per claim: the claim and verdict, then statistic, values, rule and the numbers behind the verdict. */
    public String text() {
        StringBuilder sb = new StringBuilder("Claims of ").append(run).append('\n');
        if (!leftOutCells.isEmpty()) {
            sb.append("left out: ").append(leftOutCells.size()).append(" cell(s) that did not finish training (manifest status not "
                    + "completed), so no statistic below counts them: ").append(String.join(", ", leftOutCells)).append('\n');
        }
        for (ClaimResult r : results) {
            sb.append(String.format("%n%d. %s%n   verdict:   %s%n   statistic: %s%n", r.number(), r.claim(),
                    r.verdict().label().toUpperCase(java.util.Locale.ROOT), r.statistic()));
            for (ClaimResult.Value v : r.values()) {
                sb.append("   value:     ").append(v.label()).append(" = ").append(v.estimate().format()).append('\n');
            }
            sb.append("   rule:      ").append(r.rule()).append('\n');
            sb.append("   why:       ").append(r.reason()).append('\n');
        }
        sb.append('\n').append(summary()).append('\n');
        return sb.toString();
    }

    /** "claims: 2 reproduced, 1 not reproduced, 3 inconclusive, 2 not measured". */
    public String summary() {
        return "claims: " + java.util.Arrays.stream(Verdict.values())
                .map(v -> results.stream().filter(r -> r.verdict() == v).count() + " " + v.label())
                .collect(Collectors.joining(", "));
    }

    /** The table as JSON: {"run": ..., "left_out_cells": [...], "claims": [{number, claim, statistic, values: [{measure, variant, learning_rate, mean, sd, n}], rule, verdict, reason}]}. */
    public String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode().put("run", run);
        ArrayNode leftOut = root.putArray("left_out_cells");
        leftOutCells.forEach(leftOut::add);
        ArrayNode claims = root.putArray("claims");
        for (ClaimResult r : results) {
            ObjectNode c = claims.addObject().put("number", r.number()).put("claim", r.claim()).put("statistic", r.statistic());
            ArrayNode values = c.putArray("values");
            for (ClaimResult.Value v : r.values()) {
                ObjectNode o = values.addObject().put("measure", v.measure()).put("variant", v.variant());
                if (v.learningRate() == null) {
                    o.putNull("learning_rate");
                } else {
                    o.put("learning_rate", v.learningRate());
                }
                number(o, "mean", v.estimate().mean());
                number(o, "sd", v.estimate().sd());
                o.put("n", v.estimate().n());
            }
            c.put("rule", r.rule()).put("verdict", r.verdict().label()).put("reason", r.reason());
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the claims as JSON", e);
        }
    }

    /** JSON has no NaN: an undefined value (sd of one seed, a diverged loss) is null. */
    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
