package dev.patchwright.bot.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs),
 * with a fresh profile, driven over WebDriver; it saves screenshots under {@code target/console-screenshots/}.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final WebDriver driver;
    private final Path profile;
    private final String base;

    Browser(String base) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver (.ci/run does)");
        }
        this.base = base;
        try {
            profile = Files.createTempDirectory("patchwright-chromium");
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    void open(String path) {
        driver.get(base + path);
    }

    String path() {
        return driver.getCurrentUrl().substring(base.length());
    }

    /** The element, or an error that shows the page it was not on, so a failure says what the browser saw. */
    WebElement find(String css) {
        try {
            return driver.findElement(By.cssSelector(css));
        } catch (org.openqa.selenium.NoSuchElementException e) {
            String source = driver.getPageSource();
            throw new AssertionError("no " + css + " on " + driver.getCurrentUrl() + ":\n"
                    + source.substring(0, Math.min(source.length(), 3000)));
        }
    }

    java.util.List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    String text(String css) {
        return find(css).getText();
    }

    /** Clicks something that loads another page (a link, a form's button), and waits until that page is there. */
    void follow(String css) {
        WebElement page = find("html");
        find(css).click();
        // The old page is gone when its root can no longer be asked anything. Chromium answers that either as
        // a stale element or, caught mid-navigation, as "node does not belong to the document": both mean gone.
        new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            try {
                page.isEnabled();
                return false;
            } catch (org.openqa.selenium.WebDriverException gone) {
                return true;
            }
        });
        new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> "complete".equals(script("return document.readyState")));
    }

    /** Types into a field, replacing what it held. */
    void type(String css, String text) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(text);
    }

    Object script(String script) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script);
    }

    /** Waits up to 10 s for something to appear on the page. */
    WebElement await(String css) {
        return new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(10))
                .until(d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    /** The whole page as a PNG, at the window's width. */
    Path screenshot(String name) {
        long height = (Long) script("return Math.max(document.body.scrollHeight, 400);");
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 120, 4000)));
        try {
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // A leftover profile in /tmp harms nothing.
        }
    }
}
