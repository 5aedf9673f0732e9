package dev.snoop.server;

/**
 * Who a request's bearer token is: a line of the tokens file, which is re-read as it changes.
 */
final class Authenticator {
    /** What became of a token. */
    sealed interface Outcome permits Accepted, Rejected, Unavailable {}

    /** A known token, with what it may report for. */
    record Accepted(Tokens.Entry entry) implements Outcome {}

    /** No token, or none known (401). */
    record Rejected() implements Outcome {}

    /** It could not be told now: worth a retry (503). */
    record Unavailable(String reason) implements Outcome {}

    static final Rejected REJECTED = new Rejected();

    private final TokensFile tokens;

    Authenticator(TokensFile tokens) {
        this.tokens = tokens;
    }

    TokensFile tokensFile() {
        return tokens;
    }

    /** @param authorization the {@code Authorization} header's value, or null */
    Outcome authenticate(String authorization) {
        Tokens.Entry entry = tokens.current().authenticate(authorization);
        return entry != null ? new Accepted(entry) : REJECTED;
    }
}
