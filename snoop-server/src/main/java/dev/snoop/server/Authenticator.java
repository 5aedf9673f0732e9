package dev.snoop.server;

/**
 * Who a request's bearer token is: a line of the tokens file (re-read as it changes), else, when
 * configured, a Kubernetes service account that the API server's TokenReview vouches for.
 */
final class Authenticator {
    /** What became of a token. */
    sealed interface Outcome permits Accepted, Rejected, Unavailable {}

    /** A known token, with what it may report for. */
    record Accepted(Tokens.Entry entry) implements Outcome {}

    /** No token, or none known (401). */
    record Rejected() implements Outcome {}

    /** It could not be told now (the Kubernetes API did not answer): worth a retry (503). */
    record Unavailable(String reason) implements Outcome {}

    static final Rejected REJECTED = new Rejected();

    private final TokensFile tokens;
    private final TokenReview review;

    /** @param review the Kubernetes TokenReview, or null for the tokens file alone */
    Authenticator(TokensFile tokens, TokenReview review) {
        this.tokens = tokens;
        this.review = review;
    }

    TokenReview review() {
        return review;
    }

    TokensFile tokensFile() {
        return tokens;
    }

    /** @param authorization the {@code Authorization} header's value, or null */
    Outcome authenticate(String authorization) {
        Tokens.Entry entry = tokens.current().authenticate(authorization);
        if (entry != null) {
            return new Accepted(entry);
        }
        if (review == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return REJECTED;
        }
        return review.review(authorization.substring(7).strip());
    }
}
