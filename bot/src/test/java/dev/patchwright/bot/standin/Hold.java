package dev.patchwright.bot.standin;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One request a stand-in keeps waiting until the test lets it go, so that a test can act while the caller is in
 * the middle of that call (kill the node that made it). The held request is answered only after {@link #release()},
 * or after {@link #LONGEST} should the test never release it.
 */
public final class Hold {

    /** The longest a request stays held when nobody releases it. */
    static final Duration LONGEST = Duration.ofMinutes(5);

    private final String what;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    Hold(String what) {
        this.what = what;
    }

    /** Called on the stand-in's request thread: marks the request held and waits for the release. */
    void arrive() {
        arrived.countDown();
        try {
            released.await(LONGEST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until a request is held.
     *
     * @throws AssertionError when none came within {@code wait}
     */
    public void awaitHeld(Duration wait) throws InterruptedException {
        if (!arrived.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no request reached the hold on " + what + " within " + wait);
        }
    }

    /** Whether a request is held now, or was. */
    public boolean reached() {
        return arrived.getCount() == 0;
    }

    /** Lets the held request (if any, and any to come) be answered. */
    public void release() {
        released.countDown();
    }
}
