package dev.infercost.measure.loadgen;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.model.Footprint;
import dev.infercost.model.LlamaConfig;
import dev.infercost.workload.RequestSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Serves one load point on a {@link DecodeSession} with continuous (iteration-level) batching, as in Orca (Yu et
 * al., OSDI 2022) and vLLM: requests join the running batch as they arrive and leave as soon as they finish.
 *
 * <p>Each scheduler iteration, on one thread:
 * <ol>
 *   <li>arrivals whose scheduled time has passed join the waiting queue (first come, first served);</li>
 *   <li>admission: the head of the queue gets a free slot if fewer than {@code maxBatch} requests hold slots and
 *       its KV reservation (ISL + OSL tokens) fits the KV budget; otherwise it and everything behind it wait (no
 *       reordering, no preemption). A request that can never fit is rejected and counted;</li>
 *   <li>prefill: admitted requests are prefilled in admission order, at most {@code maxPrefillTokens} prompt
 *       tokens per iteration (chunked prefill, as vLLM's max_num_batched_tokens); a prompt's last chunk yields
 *       the first output token (greedy argmax);</li>
 *   <li>decode: one greedy decode step over every request past its prefill, each at its own position.</li>
 * </ol>
 * When no work is ready the runner sleeps until the next arrival. Token times are read from the {@link Clock}
 * after each prefill call / decode step. Open-loop points (Server, Offline) have their arrival times fixed in
 * advance; closed-loop points (SingleStream, Concurrency) schedule a user's next request at the completion time
 * of its previous one, until both the minimum query count and minimum duration are reached. A point is cut
 * off after {@code maxDurationNanos}; requests not finished by then are reported as incomplete.
 *
 * <p>Work accounting for MBU/MFU: FLOPs per token from {@link Footprint#flopsPerToken} at each token's context;
 * bytes per decode step = all weights once + each sequence's KV cache ({@link Footprint#bytesPerDecodeStep}
 * generalised to per-sequence contexts), per prefill chunk = weights once + the KV cache up to the chunk's end.
 */
public final class ServingRunner implements LoadTarget {
    /**
     * @param maxBatch          slots (sequences decoded together), &lt;= the session's maxBatch
     * @param kvBudgetTokens    KV-cache positions that may be reserved at once, across all slots
     * @param maxPrefillTokens  prompt tokens prefilled per scheduler iteration (chunk size)
     * @param maxDurationNanos  cut-off for one point
     */
    public record Config(int maxBatch, long kvBudgetTokens, int maxPrefillTokens, long maxDurationNanos) {
        public Config {
            if (maxBatch < 1) throw new BadInputException("--max-batch " + maxBatch + ": must be >= 1");
            if (kvBudgetTokens < 2) throw new BadInputException("KV budget " + kvBudgetTokens + " tokens: must be >= 2");
            if (maxPrefillTokens < 1) throw new BadInputException("max prefill tokens " + maxPrefillTokens + ": must be >= 1");
        }
    }

    /** How requests are issued. */
    public sealed interface Plan {
        /** Open loop: request i arrives {@code offsetsNanos[i]} after the start. */
        record OpenLoop(long[] offsetsNanos) implements Plan {}

        /** Closed loop: {@code users} users; stop issuing once both minimums are reached. */
        record ClosedLoop(int users, int minQueries, long minDurationNanos) implements Plan {}
    }

    /**
     * The outcome of one point.
     *
     * @param records          every issued request, by id
     * @param startNanos       time 0 of the point
     * @param endNanos         last token (or cut-off) time
     * @param prefillBusyNanos time spent in prefill calls
     * @param decodeBusyNanos  time spent in decode steps
     * @param decodeSteps      decode steps run
     * @param meanDecodeBatch  average sequences per decode step
     * @param flops            FLOPs of all tokens processed
     * @param bytes            bytes moved by all steps
     * @param cutOff           the point hit maxDuration with work left
     * @param tokenCountSource where output token counts come from ("engine" in-process; for an endpoint
     *                         "usage", "tokenizer" or "stream chunks")
     * @param notes            remarks that do not invalidate the point (e.g. a server not honouring max_tokens)
     */
    public record Result(List<RequestRecord> records, long startNanos, long endNanos, long prefillBusyNanos,
                         long decodeBusyNanos, long decodeSteps, double meanDecodeBatch, double flops, double bytes,
                         boolean cutOff, String tokenCountSource, List<String> notes) {
        public double durationS() { return (endNanos - startNanos) / 1e9; }
    }

    private final DecodeSession session;
    private final Clock clock;
    private final Config cfg;
    private final int vocab;
    private final Set<Integer> stopTokens;
    private final LlamaConfig model;
    private final long weightBytes;
    private final int kvBytesPerElement;

    /**
     * @param stopTokens        tokens that end a request unless it ignores EOS (llama2.c: BOS=1 and EOS=2)
     * @param model             shapes for FLOP/byte accounting (null: no accounting)
     * @param weightBytes       in-memory weight bytes
     * @param kvBytesPerElement KV cache element size (4 for fp32)
     */
    public ServingRunner(DecodeSession session, Clock clock, Config cfg, int vocab, Set<Integer> stopTokens,
                         LlamaConfig model, long weightBytes, int kvBytesPerElement) {
        if (cfg.maxBatch() > session.maxBatch())
            throw new BadInputException("--max-batch " + cfg.maxBatch() + " exceeds the session's " + session.maxBatch() + " slots");
        this.session = session; this.clock = clock; this.cfg = cfg; this.vocab = vocab; this.stopTokens = stopTokens;
        this.model = model; this.weightBytes = weightBytes; this.kvBytesPerElement = kvBytesPerElement;
    }

    /**
     * Receives a live request's tokens on the scheduler thread ({@link #serve}); implementations must not block
     * (hand the tokens to the request's own thread).
     */
    public interface TokenSink {
        /** One generated token id and the time it was produced. */
        void token(int token, long nanos);

        /**
         * The request ended.
         *
         * @param reason "length" (max tokens or the context reached), "stop" (a stop token), "cancelled", or
         *               "rejected: ..." (it can never fit the KV budget / context)
         */
        void done(String reason);
    }

    /** A request submitted to {@link #serve}; {@link #cancel()} (client gone) frees its slot at the next step. */
    public static final class LiveRequest {
        final RequestSpec spec;
        final TokenSink sink;
        volatile boolean cancelled;

        public LiveRequest(RequestSpec spec, TokenSink sink) { this.spec = spec; this.sink = sink; }

        public void cancel() { cancelled = true; }
    }

    private static final class Req {
        final int id;
        final RequestSpec spec;
        final long scheduled;
        LiveRequest live;
        long admitted = -1;
        int slot = -1, prefilled, last;
        long[] times;
        int generated;
        boolean done;
        String rejected;

        Req(int id, RequestSpec spec, long scheduled) {
            this.id = id; this.spec = spec; this.scheduled = scheduled; this.times = new long[Math.max(1, spec.maxOutputTokens())];
        }

        long kvNeed() { return (long) spec.prompt().length + spec.maxOutputTokens(); }

        RequestRecord record() {
            return new RequestRecord(id, spec.prompt().length, scheduled, admitted, Arrays.copyOf(times, generated), done, rejected);
        }
    }

    /** Runs one point over {@code pool} (cycled: request i uses pool[i mod size]) with the configured cut-off. */
    @Override
    public Result run(List<RequestSpec> pool, Plan plan) { return run(pool, plan, cfg.maxDurationNanos()); }

    /** As {@link #run(List, Plan)} with a cut-off of {@code maxDurationNanos} after the start for this point. */
    @Override
    public Result run(List<RequestSpec> pool, Plan plan, long maxDurationNanos) {
        if (pool.isEmpty()) throw new BadInputException("empty workload");
        return loop(pool, plan, maxDurationNanos, null, null);
    }

    /**
     * Live serving (what {@code infercost serve} runs): the same scheduler, with requests taken from
     * {@code inbox} as they come (scheduled = the time the scheduler sees them) and every token handed to the
     * request's {@link TokenSink}. Blocks on the calling thread until {@code stop} returns true; idle, it waits
     * on the inbox (at most 20 ms between checks of {@code stop}).
     */
    public void serve(java.util.concurrent.BlockingQueue<LiveRequest> inbox, java.util.function.BooleanSupplier stop) {
        loop(List.of(), new Plan.OpenLoop(new long[0]), Long.MAX_VALUE, inbox, stop);
    }

    private Result loop(List<RequestSpec> pool, Plan plan, long maxDurationNanos,
                        java.util.concurrent.BlockingQueue<LiveRequest> inbox, java.util.function.BooleanSupplier stop) {
        long t0 = clock.nanoTime();
        PriorityQueue<Req> future = new PriorityQueue<>(Comparator.<Req>comparingLong(r -> r.scheduled).thenComparingInt(r -> r.id));
        ArrayDeque<Req> waiting = new ArrayDeque<>(), prefilling = new ArrayDeque<>();
        List<Req> decoding = new ArrayList<>(), all = new ArrayList<>();
        ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
        for (int s = 0; s < cfg.maxBatch(); s++) freeSlots.add(s);
        int[] issued = {0};
        java.util.function.LongConsumer issue = when -> {
            Req r = new Req(issued[0], pool.get(issued[0] % pool.size()), when);
            issued[0]++;
            all.add(r);
            future.add(r);
        };
        Plan.ClosedLoop closed = plan instanceof Plan.ClosedLoop c ? c : null;
        if (plan instanceof Plan.OpenLoop o) for (long off : o.offsetsNanos()) issue.accept(t0 + off);
        else for (int u = 0; u < closed.users(); u++) issue.accept(t0);

        float[] logits = new float[vocab];
        int mb = session.maxBatch();
        int[] slots = new int[mb], toks = new int[mb], pos = new int[mb], next = new int[mb];
        float[] scratch = new float[mb * vocab];
        long kvUsed = 0, prefillBusy = 0, decodeBusy = 0, steps = 0, batchSum = 0, end = t0;
        double flops = 0, bytes = 0;
        boolean cutOff = false;
        int maxCtx = session.maxContext();

        while (true) {
            long now = clock.nanoTime();
            if (inbox != null) {
                LiveRequest lr;
                while ((lr = inbox.poll()) != null) {
                    Req r = new Req(issued[0]++, lr.spec, now);
                    r.live = lr;
                    waiting.add(r);
                }
            }
            while (!future.isEmpty() && future.peek().scheduled <= now) waiting.add(future.poll());
            if (now - t0 > maxDurationNanos) { cutOff = true; end = now; break; }
            // admission (FCFS, head-of-line blocking)
            while (!waiting.isEmpty() && !freeSlots.isEmpty()) {
                Req r = waiting.peek();
                long need = r.kvNeed();
                if (need > cfg.kvBudgetTokens() || r.spec.prompt().length >= maxCtx) {
                    waiting.poll();
                    r.rejected = "needs " + need + " KV tokens; budget " + cfg.kvBudgetTokens() + ", context " + maxCtx;
                    if (r.live != null) r.live.sink.done("rejected: " + r.rejected);
                    if (closed != null && moreClosed(closed, issued[0], now - t0)) issue.accept(now);
                    continue;
                }
                if (kvUsed + need > cfg.kvBudgetTokens()) break;
                waiting.poll();
                r.slot = freeSlots.poll();
                r.admitted = now;
                kvUsed += need;
                prefilling.add(r);
            }
            boolean worked = false;
            // prefill, chunked
            int budget = cfg.maxPrefillTokens();
            while (!prefilling.isEmpty() && budget > 0) {
                Req r = prefilling.peek();
                int[] p = r.spec.prompt();
                int c = Math.min(p.length - r.prefilled, budget);
                int[] chunk = Arrays.copyOfRange(p, r.prefilled, r.prefilled + c);
                long a = clock.nanoTime();
                session.prefill(r.slot, chunk, r.prefilled, logits);
                long b = clock.nanoTime();
                prefillBusy += b - a;
                if (model != null) {
                    for (int i = 0; i < c; i++) flops += Footprint.flopsPerToken(model, r.prefilled + i + 1);
                    bytes += weightBytes + (double) (r.prefilled + c) * Footprint.kvBytesPerPosition(model, kvBytesPerElement);
                }
                r.prefilled += c;
                budget -= c;
                worked = true;
                if (r.prefilled == p.length) {
                    prefilling.poll();
                    int tok = argmax(logits, 0, vocab);
                    if (emit(r, tok, b, maxCtx)) {
                        kvUsed -= r.kvNeed();
                        freeSlots.add(r.slot);
                        end = Math.max(end, b);
                        if (closed != null && moreClosed(closed, issued[0], b - t0)) issue.accept(b);
                    } else decoding.add(r);
                }
            }
            // one decode step over every running sequence
            if (!decoding.isEmpty()) {
                int n = decoding.size();
                for (int i = 0; i < n; i++) {
                    Req r = decoding.get(i);
                    slots[i] = r.slot;
                    toks[i] = r.last;
                    pos[i] = r.spec.prompt().length + r.generated - 1;
                    if (model != null) {
                        flops += Footprint.flopsPerToken(model, pos[i] + 1);
                        bytes += (double) (pos[i] + 1) * Footprint.kvBytesPerPosition(model, kvBytesPerElement);
                    }
                }
                if (model != null) bytes += weightBytes;
                long a = clock.nanoTime();
                session.decodeGreedy(n, slots, toks, pos, next, scratch);
                long b = clock.nanoTime();
                decodeBusy += b - a;
                steps++;
                batchSum += n;
                List<Req> still = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Req r = decoding.get(i);
                    if (emit(r, next[i], b, maxCtx)) {
                        kvUsed -= r.kvNeed();
                        freeSlots.add(r.slot);
                        end = Math.max(end, b);
                        if (closed != null && moreClosed(closed, issued[0], b - t0)) issue.accept(b);
                    } else still.add(r);
                }
                decoding = still;
                worked = true;
            }
            if (!worked && inbox != null) {
                if (stop.getAsBoolean()) break;
                if (waiting.isEmpty()) {
                    try {
                        LiveRequest lr = inbox.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                        if (lr != null) {
                            Req r = new Req(issued[0]++, lr.spec, clock.nanoTime());
                            r.live = lr;
                            waiting.add(r);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    continue;
                }
            }
            if (!worked) {
                if (future.isEmpty() && waiting.isEmpty() && prefilling.isEmpty() && decoding.isEmpty()) break;
                if (!future.isEmpty()) clock.sleepUntil(Math.min(future.peek().scheduled, t0 + maxDurationNanos + 1));
                else throw new IllegalStateException("scheduler stalled: " + waiting.size() + " waiting, nothing running");
            }
        }
        List<RequestRecord> out = new ArrayList<>(all.size());
        for (Req r : all) out.add(r.record());
        return new Result(out, t0, end, prefillBusy, decodeBusy, steps, steps == 0 ? 0 : (double) batchSum / steps,
                flops, bytes, cutOff, "engine", List.of());
    }

    private static boolean moreClosed(Plan.ClosedLoop c, int issued, long elapsed) {
        return issued < c.minQueries() || elapsed < c.minDurationNanos();
    }

    /** Records a token; returns true when the request is finished. */
    private boolean emit(Req r, int tok, long t, int maxCtx) {
        r.last = tok;
        if (r.live != null) {
            // live requests keep no token times (a server runs indefinitely); the sink gets them
            r.generated++;
            boolean stopTok = !r.spec.ignoreEos() && stopTokens.contains(tok);
            if (!stopTok) r.live.sink.token(tok, t);
            String why = r.live.cancelled ? "cancelled" : stopTok ? "stop"
                    : r.generated >= r.spec.maxOutputTokens() || r.spec.prompt().length + r.generated > maxCtx ? "length" : null;
            if (why != null) { r.done = true; r.live.sink.done(why); }
            return why != null;
        }
        r.times[r.generated++] = t;
        boolean stop = r.generated >= r.spec.maxOutputTokens()
                || (!r.spec.ignoreEos() && stopTokens.contains(tok))
                || r.spec.prompt().length + r.generated > maxCtx;
        if (stop) r.done = true;
        return stop;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (x[off + i] > bv) { bv = x[off + i]; best = i; }
        return best;
    }
}
