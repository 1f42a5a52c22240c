package io.belamy.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

    @TempDir Path dir;

    @Test
    void deletesATreeAFileAndNothing() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/c.txt"), "c");
        Files.writeString(tree.resolve("top.txt"), "t");
        Path kept = Files.writeString(dir.resolve("kept.txt"), "k");
        Path link = Files.createSymbolicLink(tree.resolve("link"), kept);

        FileTrees.delete(tree);
        assertThat(tree).doesNotExist();
        assertThat(link).doesNotExist();
        assertThat(kept).hasContent("k"); // a link's target outside the tree is left alone

        FileTrees.delete(kept);
        assertThat(kept).doesNotExist();
        FileTrees.delete(dir.resolve("missing")); // no error
    }
}
