package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeclarationsTest {

    private static java.util.List<String> signatures(String path, String text) {
        return Declarations.of(path, text).stream().map(Declarations.Declaration::signature).toList();
    }

    @Test
    void findsTypesAndFunctionsInEachLanguage() {
        assertThat(signatures("A.java", """
                public final class A<T> implements Runnable {
                    private final int x = compute(1);
                    public static <R> List<R> map(List<T> in, Function<T, R> f) throws IOException {
                        return in.stream().map(f).toList();
                    }
                    record Point(int x, int y) {}
                }
                """)).containsExactly("public final class A<T> implements Runnable",
                "public static <R> List<R> map(List<T> in, Function<T, R> f) throws IOException",
                "record Point(int x, int y) {}");
        assertThat(signatures("m.py", "class Store(Base):\n    async def get(self, key):\n        return 1\n"
                + "x = get(2)\n")).containsExactly("class Store(Base):", "async def get(self, key):");
        assertThat(signatures("s.ts", "export interface Shape { area(): number }\n"
                + "export async function load(url: string): Promise<void> {\n  if (x) {\n  }\n}\n"
                + "export const add = (a: number, b: number) => a + b;\n"))
                .containsExactly("export interface Shape { area(): number }",
                        "export async function load(url: string): Promise<void>",
                        "export const add = (a: number, b: number) => a + b;");
        assertThat(signatures("x.go", "type Server struct {\n}\n\nfunc (s *Server) Serve(l net.Listener) error {\n"))
                .containsExactly("type Server struct", "func (s *Server) Serve(l net.Listener) error");
        assertThat(signatures("lib.rs", "pub struct Ring<T> {\n}\nimpl<T> Ring<T> {\n    pub fn push(&mut self, v: T) {\n"))
                .containsExactly("pub struct Ring<T>", "impl<T> Ring<T>", "pub fn push(&mut self, v: T)");
        assertThat(signatures("k.kt", "data class User(val name: String)\nsuspend fun fetch(id: Int): User {\n"))
                .containsExactly("data class User(val name: String)", "suspend fun fetch(id: Int): User");
        assertThat(signatures("z.c", "struct node {\nstatic int deflate_fast(z_stream *strm, int flush)\n{\n"
                + "    return deflate(strm);\n"))
                .containsExactly("struct node", "static int deflate_fast(z_stream *strm, int flush)");
        assertThat(signatures("notes.txt", "class Foo {}\n")).isEmpty();
    }
}
