package dev.snoop.server;

import java.nio.file.Path;

/** A server process to kill -9 in a test: starts the embedded database in args[0], says so, waits. */
final class OrphanMain {
    private OrphanMain() {}

    public static void main(String[] args) throws Exception {
        Database db = Database.embedded(Path.of(args[0]), 1);
        try (var c = db.dataSource().getConnection()) {
            c.createStatement().execute("INSERT INTO image (image_key) VALUES ('sha256:before-the-kill')");
            c.commit();
        }
        System.out.println("ready");
        System.out.flush();
        System.in.read(); // until the test kills it
    }
}
