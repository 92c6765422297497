package dev.infercost.measure.loadgen;

import dev.infercost.BadInputException;
import dev.infercost.engine.endpoint.OpenAiStream;
import dev.infercost.model.Tokenizer;
import dev.infercost.workload.RequestSpec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Serves one load point against an OpenAI-compatible HTTP endpoint ({@link OpenAiStream}) with the same plans as
 * {@link ServingRunner}: open loop (Server, Offline: one dispatcher thread hands each prebuilt request to the
 * asynchronous HTTP client at its scheduled time and a virtual thread per request reads the stream, whatever is
 * still in flight, so a slow server can never slow the arrivals) and closed loop
 * (SingleStream, Concurrency: each user sends its next request when its previous one ends, scheduled at that
 * time). Every latency counts from the scheduled send time; the actual send time is recorded too, and the
 * difference (send lag) says whether the client kept up.
 *
 * <p>Token counts: output tokens from the server's {@code usage.completion_tokens} when it sends it, else from
 * {@code tokenizer} re-encoding the returned text, else one per streamed chunk; the source is reported per point.
 * Input tokens from {@code usage.prompt_tokens}, else the prompt's own token count. When fixed output lengths are
 * requested ({@code ignoreEos}), a completed request with a different count is reported as the server not
 * honouring {@code ignore_eos}/{@code max_tokens}.
 *
 * <p>Failed requests (HTTP error, timeout, malformed or truncated stream) are recorded with their reason and never
 * stop the point; requests still running at the cut-off are aborted and reported incomplete. No work accounting:
 * a remote server's bytes and FLOPs are unknown, so MBU/MFU are NaN.
 */
public final class EndpointRunner implements LoadTarget {
    /** How a request's prompt is sent. */
    public enum PromptMode {
        /** The prompt's token ids (completions API; exact ISL). */
        TOKENS,
        /** Text: the source text, or the ids decoded with the tokenizer. */
        TEXT
    }

    private final OpenAiStream client;
    private final Clock clock;
    private final Tokenizer tokenizer;
    private final PromptMode mode;
    private final long defaultMaxDurationNanos;
    /** Called with every finished record, on the request's thread (tests; may be null). */
    volatile Consumer<RequestRecord> onRecord;

    /**
     * @param tokenizer the served model's tokenizer (text prompts from ids, output counts without usage); may be null
     * @throws BadInputException text mode from token ids without a tokenizer, or token ids over the chat API
     */
    public EndpointRunner(OpenAiStream client, Clock clock, Tokenizer tokenizer, PromptMode mode, long defaultMaxDurationNanos) {
        if (mode == PromptMode.TOKENS && client.config().api() == OpenAiStream.Api.CHAT)
            throw new BadInputException("--prompt-format tokens needs --api completions (chat messages are text)");
        this.client = client; this.clock = clock; this.tokenizer = tokenizer; this.mode = mode;
        this.defaultMaxDurationNanos = defaultMaxDurationNanos;
    }

    /** The prompt sent for {@code spec}. */
    public OpenAiStream.Prompt prompt(RequestSpec spec) {
        if (mode == PromptMode.TOKENS) return OpenAiStream.Prompt.tokens(spec.prompt());
        if (spec.text() != null) return OpenAiStream.Prompt.text(spec.text());
        if (tokenizer == null) throw new BadInputException("text prompts from synthetic token ids need --tokenizer");
        return OpenAiStream.Prompt.text(decode(tokenizer, spec.prompt()));
    }

    /** Decodes ids to text as llama2.c prints them (BOS skipped, pieces joined). */
    static String decode(Tokenizer t, int[] ids) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        for (int id : ids) {
            if (id == t.bos() && prev == -1) { prev = id; continue; }
            b.writeBytes(t.decodePiece(prev < 0 ? t.bos() : prev, id));
            prev = id;
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan) { return run(pool, plan, defaultMaxDurationNanos); }

    private final class Req {
        final int id;
        final RequestSpec spec;
        final long scheduled;
        final OpenAiStream.Abort abort = new OpenAiStream.Abort();
        volatile RequestRecord record;
        volatile String source;

        Req(int id, RequestSpec spec, long scheduled) { this.id = id; this.spec = spec; this.scheduled = scheduled; }

        void execute(java.net.http.HttpRequest req) {
            complete(client.begin(req, spec.maxOutputTokens(), clock::nanoTime));
        }

        void complete(OpenAiStream.InFlight f) {
            OpenAiStream.Outcome out = client.finish(f, clock::nanoTime, abort);
            boolean aborted = OpenAiStream.ABORTED.equals(out.error());
            int in = out.promptTokens() >= 0 ? out.promptTokens() : spec.prompt().length;
            int outTok;
            if (out.completionTokens() >= 0) { outTok = out.completionTokens(); source = "usage"; }
            else if (tokenizer != null) { outTok = out.text().isEmpty() ? 0 : tokenizer.encode(out.text(), false, false).length; source = "tokenizer"; }
            else { outTok = out.chunkNanos().length; source = "stream chunks"; }
            record = new RequestRecord(id, in, scheduled, out.sentNanos(), out.chunkNanos(), out.ok(), null, out.sentNanos(),
                    out.endNanos(), outTok, aborted ? null : out.error(), out.text());
            Consumer<RequestRecord> cb = onRecord;
            if (cb != null) cb.accept(record);
        }

        RequestRecord recordOrUnsent() {
            RequestRecord r = record;
            return r != null ? r : new RequestRecord(id, spec.prompt().length, scheduled, -1, new long[0], false, null, -1, -1, 0, null, null);
        }
    }

    @Override
    public ServingRunner.Result run(List<RequestSpec> pool, ServingRunner.Plan plan, long maxDurationNanos) {
        if (pool.isEmpty()) throw new BadInputException("empty workload");
        // requests are built before the point (body JSON included), so a send is only the hand-over to the client
        java.net.http.HttpRequest[] prompts = new java.net.http.HttpRequest[pool.size()];
        for (int i = 0; i < prompts.length; i++) prompts[i] = client.request(prompt(pool.get(i)), pool.get(i).maxOutputTokens());
        long t0 = clock.nanoTime(), deadline = t0 + maxDurationNanos;
        List<Req> all = new ArrayList<>();
        ConcurrentLinkedQueue<Req> inFlight = new ConcurrentLinkedQueue<>();
        boolean cutOff = false;
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            if (plan instanceof ServingRunner.Plan.OpenLoop o) {
                long[] off = o.offsetsNanos().clone();
                java.util.Arrays.sort(off);
                for (int i = 0; i < off.length; i++) {
                    Req r = new Req(i, pool.get(i % pool.size()), t0 + off[i]);
                    all.add(r);
                }
                for (Req r : all) {
                    if (r.scheduled > deadline) { cutOff = true; break; }
                    clock.sleepUntil(r.scheduled);
                    OpenAiStream.InFlight f = client.begin(prompts[r.id % prompts.length], r.spec.maxOutputTokens(), clock::nanoTime);
                    inFlight.add(r);
                    vt.execute(() -> r.complete(f));
                }
            } else {
                ServingRunner.Plan.ClosedLoop c = (ServingRunner.Plan.ClosedLoop) plan;
                AtomicInteger issued = new AtomicInteger();
                List<Req> sync = java.util.Collections.synchronizedList(all);
                for (int u = 0; u < c.users(); u++) {
                    vt.execute(() -> {
                        long when = t0;
                        while (true) {
                            int id;
                            synchronized (issued) {
                                // elapsed at this user's last completion, as the in-process runner counts it: the
                                // point's duration ends at the last completion, so a check against "now" could stop
                                // a hair before the minimum duration and invalidate the point
                                long el = when - t0;
                                if (issued.get() >= c.users() && !(issued.get() < c.minQueries() || el < c.minDurationNanos())) return;
                                if (clock.nanoTime() > deadline) return;
                                id = issued.getAndIncrement();
                            }
                            Req r = new Req(id, pool.get(id % pool.size()), when);
                            sync.add(r);
                            inFlight.add(r);
                            r.execute(prompts[id % prompts.length]);
                            when = r.record.endNanos() > 0 ? r.record.endNanos() : clock.nanoTime();
                        }
                    });
                }
            }
            vt.shutdown();
            long wait = deadline - clock.nanoTime();
            if (!vt.awaitTermination(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                cutOff = true;
                for (Req r : inFlight) r.abort.abort();
                vt.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while serving a load point", e);
        }
        List<Req> ordered;
        synchronized (all) { ordered = new ArrayList<>(all); }
        ordered.sort(java.util.Comparator.comparingInt(r -> r.id));
        List<RequestRecord> out = new ArrayList<>(ordered.size());
        long end = t0;
        java.util.Map<String, Integer> sources = new java.util.TreeMap<>();
        int fewer = 0, more = 0, checked = 0;
        long fewerSum = 0, askedSum = 0;
        for (Req r : ordered) {
            RequestRecord q = r.recordOrUnsent();
            out.add(q);
            if (q.tokenNanos().length > 0) end = Math.max(end, q.tokenNanos()[q.tokenNanos().length - 1]);
            if (q.endNanos() > 0 && q.completed()) end = Math.max(end, q.endNanos());
            if (r.source != null && q.completed()) sources.merge(r.source, 1, Integer::sum);
            if (q.completed() && r.spec.ignoreEos()) {
                checked++;
                if (q.outputTokens() < r.spec.maxOutputTokens()) { fewer++; fewerSum += q.outputTokens(); askedSum += r.spec.maxOutputTokens(); }
                if (q.outputTokens() > r.spec.maxOutputTokens()) more++;
            }
        }
        if (cutOff) end = Math.max(end, Math.min(clock.nanoTime(), deadline));
        List<String> notes = new ArrayList<>();
        String src = sources.isEmpty() ? "none (no completed request)" : sources.size() == 1 ? sources.keySet().iterator().next() : sources.toString();
        if (fewer > 0)
            notes.add(String.format(Locale.ROOT, "server did not honour ignore_eos/max_tokens: %d of %d requests returned fewer tokens than asked (%.1f of %.1f on average; counts from %s)",
                    fewer, checked, (double) fewerSum / fewer, (double) askedSum / fewer, src));
        if (more > 0) notes.add(more + " of " + checked + " requests returned more tokens than max_tokens (counts from " + src + ")");
        return new ServingRunner.Result(out, t0, end, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, cutOff, src, notes);
    }
}
