package bnscope.core.probes;

import java.io.Serializable;

/**
 * The normalization layer that follows a weight layer (BatchNorm, noisy BN, ℓp normalization: any
 * layer with a gamma or beta parameter). Its gamma/beta get their own rows in the ICS and
 * layer-norm tables; either may be null when the layer lacks it (e.g. BN with locked gamma/beta).
 */
public record NormLayer(int dl4jIndex, String name, ParamSlice gamma, ParamSlice beta) implements Serializable {
}
