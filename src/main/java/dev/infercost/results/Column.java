package dev.infercost.results;

/**
 * One column of a run-folder table: its CSV header, units in square brackets (for example
 * {@code "throughput [tok/s]"}). Each table's columns are an enum implementing this interface, so producers and
 * consumers name a column by constant, never by a string literal (as Commons CSV's enum headers do).
 */
public interface Column {
    /** @return the exact CSV header text, with units, e.g. {@code "ttft_p99 [ms]"} */
    String header();
}
