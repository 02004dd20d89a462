package bnscope.core.config;

import java.io.Serializable;

/**
 * The {@code spark.*} keys: DL4J parameter averaging.
 *
 * @param workers            spark.workers: parameter-averaging workers (data partitions per split)
 * @param averagingFrequency spark.averaging_frequency: local steps each worker takes between averages
 */
public record SparkSettings(int workers, int averagingFrequency) implements Serializable {
}
