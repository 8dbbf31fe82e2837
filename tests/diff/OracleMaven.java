/* OracleMaven.java — the reference side of the maven differential test (oracle_maven.sh):
 * reads "A B" lines on stdin and prints <, = or > per line as
 * org.apache.maven.artifact.versioning.ComparableVersion (maven-artifact 3.8) orders them.
 * ComparableVersion recurses once per nested list, so it runs on a thread with a 1 GiB stack;
 * a line that still overflows it prints "!". */
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public final class OracleMaven {
    public static void main(String[] args) throws InterruptedException {
        Thread t = new Thread(null, OracleMaven::run, "oracle", 1L << 30);
        t.start();
        t.join();
    }

    private static void run() {
        try {
            filter();
        } catch (IOException e) {
            System.err.println("oracle_maven: " + e);
            System.exit(1);
        }
    }

    private static void filter() throws IOException {
        String impl = ComparableVersion.class.getPackage().getImplementationVersion();
        if (impl == null || !impl.startsWith("3.8.")) {
            System.err.println("oracle_maven: warning: maven-artifact " + impl + ", not 3.8.x");
        }
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        BufferedWriter out =
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("[ \t]+", -1);
            if (f.length != 2) {
                out.write("!\n");
                continue;
            }
            int c;
            try {
                c = new ComparableVersion(f[0]).compareTo(new ComparableVersion(f[1]));
            } catch (RuntimeException | StackOverflowError e) {
                out.write("!\n");
                continue;
            }
            out.write(c < 0 ? "<\n" : c > 0 ? ">\n" : "=\n");
        }
        out.flush();
    }
}
