import java.net.InetAddress;
import java.net.ServerSocket;

/** Some other program of the deploy user that listens on the port the app would get. */
public class Listener {
    public static void main(String[] args) throws Exception {
        try (ServerSocket socket = new ServerSocket(Integer.parseInt(args[0]), 10, InetAddress.getLoopbackAddress())) {
            System.out.println("listening");
            Thread.sleep(600_000);
        }
    }
}
