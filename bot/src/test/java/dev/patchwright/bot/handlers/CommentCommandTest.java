package dev.patchwright.bot.handlers;

import dev.patchwright.inference.money.Money;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommentCommandTest {

    @Test
    void aCommentWithoutACommandLineIsNoCommand() {
        assertThat(CommentCommand.find("I think /patchwright fix would help here.")).isEmpty();
        assertThat(CommentCommand.find("/patchwrightfix")).isEmpty();
        assertThat(CommentCommand.find(null)).isEmpty();
    }

    @Test
    void theFirstCommandLineCountsAfterAnyExplanation() {
        assertThat(CommentCommand.find("Looks simple.\r\n  /patchwright fix budget=$20\n/patchwright stop"))
                .contains(new CommentCommand(CommentCommand.Verb.FIX, Money.parse("20"), null));
        assertThat(CommentCommand.find("/patchwright STOP")).get()
                .extracting(CommentCommand::verb).isEqualTo(CommentCommand.Verb.STOP);
    }

    @Test
    void unknownCommandsAndBadArgumentsSayWhatWasWrong() {
        assertThat(CommentCommand.find("/patchwright deploy").orElseThrow().problem())
                .isEqualTo("`deploy` is not a Patchwright command.");
        assertThat(CommentCommand.find("/patchwright").orElseThrow().problem()).contains("needs a command");
        assertThat(CommentCommand.find("/patchwright fix budget=lots").orElseThrow().problem())
                .isEqualTo("`budget=lots` is not a budget: write dollars, e.g. `budget=$20`.");
        assertThat(CommentCommand.find("/patchwright fix budget=$0").orElseThrow().problem()).contains("more than $0");
        assertThat(CommentCommand.find("/patchwright stop now").orElseThrow().problem())
                .isEqualTo("`/patchwright stop` does not take `now`.");
        assertThat(CommentCommand.find("/patchwright fix budget=1 budget=2").orElseThrow().verb())
                .isEqualTo(CommentCommand.Verb.INVALID);
    }
}
