package io.github.bluegreen.core.canary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which requests nginx sends to the canary, as an {@code if ($on ~ "regex")} in the site's server block (plain nginx
 * has no weights without an upstream block, and split_clients only works at the http level, fixed at startup).
 * By request: the first two hex digits of {@code $request_id}, random per request, 256 buckets. Sticky: the last
 * byte of the client's IPv4 address, 256 buckets, so a client keeps its colour (IPv6 clients stay on the stable one).
 *
 * @param share the percent asked for; {@code buckets} of 256 match, so the real share is {@link #actualPercent()}
 */
public record Split(int share, String on, String regex, int buckets) {

    public static Split of(int share, boolean sticky) {
        if (share < 1 || share > 99) {
            throw new IllegalArgumentException("a canary step is a percent from 1 to 99: " + share);
        }
        int buckets = Math.max(1, Math.min(255, (int) Math.round(share * 256 / 100.0)));
        return sticky ? new Split(share, "remote_addr", "[.](" + decimalBelow(buckets) + ")$", buckets)
                : new Split(share, "request_id", "^(" + hexBelow(buckets) + ")", buckets);
    }

    public double actualPercent() {
        return buckets * 100.0 / 256;
    }

    /** Two hex digits whose value is below {@code n}: "[0-3]|4[0-b]"-like alternatives. */
    static String hexBelow(int n) {
        List<String> alternatives = new ArrayList<>();
        if (n / 16 > 0) {
            alternatives.add("[" + hexRange(n / 16 - 1) + "]");
        }
        if (n % 16 > 0) {
            alternatives.add(Integer.toHexString(n / 16) + "[" + hexRange(n % 16 - 1) + "]");
        }
        return String.join("|", alternatives);
    }

    /** The hex digits 0 to {@code last} as a bracket expression's content. */
    private static String hexRange(int last) {
        if (last <= 9) {
            return last == 0 ? "0" : "0-" + last;
        }
        return "0-9a" + (last > 10 ? "-" + Integer.toHexString(last) : "");
    }

    /** The decimal numbers 0 to n-1 as written in an address (no leading zeros), grouped by all digits but the last. */
    static String decimalBelow(int n) {
        Map<String, Integer> lastDigit = new LinkedHashMap<>();
        for (int value = 0; value < n; value++) {
            lastDigit.put(value < 10 ? "" : String.valueOf(value / 10), value % 10);
        }
        List<String> alternatives = new ArrayList<>();
        lastDigit.forEach((prefix, last) -> alternatives.add(prefix + (last == 0 ? "0" : "[0-" + last + "]")));
        return String.join("|", alternatives);
    }
}
