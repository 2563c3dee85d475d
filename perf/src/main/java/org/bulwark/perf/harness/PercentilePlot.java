package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
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
 * 90 %, 99 %, 99.9 % ... are evenly spaced and the tail is visible. The x values are
 * {@code log10(1/(1-p))} on a linear axis labelled with percentiles (0 is 0 %, 1 is 90 %, 2 is
 * 99 %, 3 is 99.9 %), marked by vertical lines labelled with their percentile. (XChart 3.8.8's
 * custom tick label formatter never returns from its tick calculation for these labels, so the
 * axis's own tick labels are hidden and the percentiles drawn as annotations.)
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
            x.add(Math.log10(1.0 / (1.0 - fraction)));
            y.add(latencyNs.highestEquivalentValue(v.getValueIteratedTo()) / 1_000.0);
        }
        if (x.isEmpty())
        {
            x.add(0.0);
            y.add(0.0);
        }
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency (µs)").build();
        final int decades = (int)Math.max(1.0, Math.ceil(x.get(x.size() - 1)));
        final double topUs = Math.max(1.0, y.get(y.size() - 1)) * 1.1;
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double)decades).setXAxisTicksVisible(false)
            .setYAxisMin(0.0).setYAxisMax(topUs).setPlotGridVerticalLinesVisible(false).setLegendVisible(true)
            .setLegendPosition(Styler.LegendPosition.OutsideS);
        final XYSeries line = chart.addSeries(series, x, y);
        line.setMarker(SeriesMarkers.NONE);
        for (int decade = 0; decade <= decades; decade++)
        {
            chart.addAnnotation(new AnnotationLine(decade, true, false));
            chart.addAnnotation(new AnnotationText(percentileLabel((double)decade), decade + 0.05 * decades / 4.0,
                topUs * 0.965, false));
        }
        try (OutputStream out = Files.newOutputStream(png))
        {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /**
     * @param decades {@code log10(1/(1-p))}.
     * @return the percentile p: 0 is 0 %, 1 is 90 %, 2 is 99 %, 3 is 99.9 %.
     */
    static String percentileLabel(final Double decades)
    {
        if (null == decades || !(decades > 0.0))
        {
            return "0%";
        }
        final double percent = 100.0 * (1.0 - Math.pow(10, -decades));
        final int decimals = (int)Math.min(9, Math.max(0, Math.ceil(decades) - 2));
        return String.format(Locale.ROOT, "%." + decimals + "f%%", percent);
    }
}
