package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The run's HdrHistogram log ({@code NAME.hlog}): one interval histogram per second of the
 * measured time, latencies in nanoseconds, written with {@link HistogramLogWriter} and readable by
 * {@code HistogramLogReader} and HdrHistogram's log processing and plotting tools.
 */
final class IntervalLog implements AutoCloseable
{
    private final PrintStream stream;
    private final HistogramLogWriter writer;

    /**
     * @param startMs wall-clock start of the measured time (ms since the epoch): the log's base time.
     */
    IntervalLog(final Path file, final String description, final long startMs) throws FileNotFoundException
    {
        stream = new PrintStream(file.toFile());
        writer = new HistogramLogWriter(stream);
        writer.outputComment("[Bulwark LoadHarness: " + description + "]");
        writer.outputComment("[latency values in nanoseconds; one interval per second of the measured time]");
        writer.outputLogFormatVersion();
        writer.outputStartTime(startMs);
        writer.setBaseTime(startMs);
        writer.outputBaseTime(startMs);
        writer.outputLegend();
    }

    void write(final Histogram interval)
    {
        writer.outputIntervalHistogram(interval);
    }

    @Override
    public void close()
    {
        stream.close();
    }
}
