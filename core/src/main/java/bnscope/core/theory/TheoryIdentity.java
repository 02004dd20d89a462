package bnscope.core.theory;

/**
 * The statements of the paper's Section 4 / Appendix C that the theory job checks per BatchNorm
 * unit, by the name the {@code theory_checks} table gives them.
 */
public enum TheoryIdentity {
    /** Fact C.1: DL4J's own ∂L/∂y (BatchNorm backprop) against (γ/(mσ))(m·g − 1⟨1,g⟩ − ŷ⟨g,ŷ⟩); lhs, rhs are the two vectors' norms. */
    FACT_C1("fact_c1"),
    /** Theorem 4.1 in its exact 1/m form: ‖∂L/∂y‖² = (γ²/σ²)(‖g‖² − ⟨1,g⟩²/m − ⟨g,ŷ⟩²/m), with DL4J's ∂L/∂y. */
    THM41("thm41"),
    /** Theorem 4.1 as printed, 1/√m on the last term: an upper-bound claim lhs ≤ rhs that fails whenever ⟨g,ŷ⟩ ≠ 0. */
    THM41_PRINTED("thm41_printed"),
    /** Theorem 4.2: Gᵀ Ĥ G = (γ²/σ²) Gᵀ H G − (γ/(mσ²))⟨g,ŷ⟩‖G‖², Hessian-vector products by differences of gradients. */
    THM42("thm42");

    private final String tableName;

    TheoryIdentity(String tableName) {
        this.tableName = tableName;
    }

    /** The value of the table's {@code identity} column. */
    public String tableName() {
        return tableName;
    }
}
