package io.flotilla.raft.testkit.sim;

public class SmokeMain {
    public static void main(String[] args) {
        long first = Long.parseLong(args[0]);
        int n = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        String scenario = args.length > 3 ? args[3] : "chaos";
        SimOptions o = SimOptions.defaults(first).withSteps(steps).withScenario(scenario);
        if (args.length > 4) o = o.withBugs(java.util.List.of(args[4]));
        SimRunner.Summary s = SimRunner.sweep(o, n, 1, false, r -> {
            if (!r.ok()) System.out.println(r.report()); else System.out.println(r.report());
        });
        System.out.println("seeds=" + s.seeds() + " steps=" + s.steps() + " violations=" + s.violations() + " steps/s=" + (long) s.stepsPerSecond());
    }
}
