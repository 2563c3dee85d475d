package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The percentile distribution plot ({@code NAME.png}) in the style of HdrHistogram's plots:
 * latency in microseconds against the percentile on a logarithmic {@code 1/(1-p)} axis, so that
 * 90 %, 99 %, 99.9 % ... are evenly spaced and the tail is visible.
 */
final class PercentilePlot
{
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    private PercentilePlot()
    {
    }

    static void write(final Histogram latencyNs, final String title, final String series, final Path png)
        throws IOException
    {
        if (null == System.getProperty("java.awt.headless"))
        {
            System.setProperty("java.awt.headless", "true");
        }
        final List<Double> x = new ArrayList<>();
        final List<Double> y = new ArrayList<>();
        for (final HistogramIterationValue v : latencyNs.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double fraction = v.getPercentileLevelIteratedTo() / 100.0;
            if (fraction >= 1.0)
            {
                break;
            }
            x.add(1.0 / (1.0 - fraction));
            y.add(latencyNs.highestEquivalentValue(v.getValueIteratedTo()) / 1_000.0);
        }
        if (x.isEmpty())
        {
            x.add(1.0);
            y.add(0.0);
        }
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency (µs)").build();
        chart.getStyler().setXAxisLogarithmic(true).setXAxisLogarithmicDecadeOnly(true);
        chart.getStyler().setXAxisMin(1.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendVisible(true);
        chart.setCustomXAxisTickLabelsFormatter(PercentilePlot::percentileLabel);
        final XYSeries line = chart.addSeries(series, x, y);
        line.setMarker(SeriesMarkers.NONE);
        try (OutputStream out = Files.newOutputStream(png))
        {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /**
     * @return the percentile at {@code 1/(1-p)} = x: 1 is 0 %, 10 is 90 %, 100 is 99 %, 1000 is 99.9 %.
     */
    static String percentileLabel(final Double x)
    {
        final double percent = 100.0 * (1.0 - 1.0 / x);
        final int decimals = (int)Math.max(0, Math.round(Math.log10(x)) - 2);
        return String.format(Locale.ROOT, "%." + decimals + "f%%", percent);
    }
}
