package io.github.bluegreen.core.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** nginx's regular expressions are PCRE; the splits use only what Java's engine reads the same way (classes, |, anchors). */
class SplitTest {
    @Test
    void everyShareMatchesItsBucketsOfTheRequestIdsAndNoOthers() {
        for (int share = 1; share <= 99; share++) {
            Split split = Split.of(share, false);
            Pattern pattern = Pattern.compile(split.regex());
            int matched = 0;
            for (int prefix = 0; prefix < 256; prefix++) {
                if (pattern.matcher(String.format("%02x", prefix) + "d41d8cd98f00b204e9800998ecf8").find()) {
                    matched++;
                    assertTrue(prefix < split.buckets(), share + " %: " + split.regex() + " matched " + prefix);
                }
            }
            assertEquals(split.buckets(), matched, share + " %: " + split.regex());
            assertTrue(Math.abs(split.actualPercent() - share) <= 0.2, share + " % is " + split.actualPercent());
        }
    }

    @Test
    void overTenThousandRandomRequestsTheMeasuredShareIsWithinTwoPoints() {
        Random random = new Random(19);
        for (int share : new int[] {1, 5, 25, 50, 75, 99}) {
            Pattern pattern = Pattern.compile(Split.of(share, false).regex());
            int canary = 0;
            for (int i = 0; i < 10_000; i++) {
                StringBuilder id = new StringBuilder();   // what $request_id is: 16 random bytes in hex
                for (int b = 0; b < 16; b++) {
                    id.append(String.format("%02x", random.nextInt(256)));
                }
                canary += pattern.matcher(id).find() ? 1 : 0;
            }
            assertTrue(Math.abs(canary / 100.0 - share) <= 2, share + " %: measured " + canary / 100.0);
        }
    }

    @Test
    void stickyMatchesTheLastByteOfAnIpv4AddressAndKeepsIpv6OnTheStableInstance() {
        for (int share : new int[] {1, 5, 13, 25, 50, 99}) {
            Split split = Split.of(share, true);
            Pattern pattern = Pattern.compile(split.regex());
            int matched = 0;
            for (int last = 0; last < 256; last++) {
                boolean canary = pattern.matcher("10.1.20." + last).find();
                assertEquals(canary, pattern.matcher("10.1.20." + last).find(), "the same client, the same colour");
                if (canary) {
                    matched++;
                    assertTrue(last < split.buckets(), split.regex() + " matched " + last);
                }
                assertEquals(canary, pattern.matcher("192.168.7." + last).find(), "only the last byte counts");
            }
            assertEquals(split.buckets(), matched, share + " %: " + split.regex());
            assertFalse(pattern.matcher("2001:db8::1").find(), "IPv6: stable");
        }
    }

    @Test
    void onlyCharactersTheServerAcceptsReachNginx() {
        for (int share = 1; share <= 99; share++) {
            for (boolean sticky : new boolean[] {false, true}) {
                String regex = Split.of(share, sticky).regex();
                assertTrue(regex.matches("[\\]\\[0-9a-f^$|().:-]+"), regex);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Split.of(0, false));
        assertThrows(IllegalArgumentException.class, () -> Split.of(100, false));
    }
}
