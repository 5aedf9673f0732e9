package dev.snoop.cli;

/** A command whose failures exit with a code other than 1 (diff uses 1 for "differences found"). */
interface HasFailureExitCode {
    int failureExitCode();
}
