package io.belamy.tests.fs;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;

/**
 * A Flink file system for the scheme {@code belamytest} that keeps {@code belamytest://bucket/key}
 * in {@code <root>/bucket/key} on the local disk, where {@code root} is the system property {@code
 * belamy.testfs.root}. It stands in for {@code s3://} or {@code hdfs://}: code that reaches these
 * files can only do so through Flink's FileSystem API.
 */
public final class MappedFileSystem extends FileSystem {

    public static final String SCHEME = "belamytest";
    public static final String ROOT_PROPERTY = "belamy.testfs.root";

    private final FileSystem local = FileSystem.getLocalFileSystem();
    private final URI uri;

    private MappedFileSystem(URI uri) {
        this.uri = uri;
    }

    private static File root() {
        String root = System.getProperty(ROOT_PROPERTY);
        if (root == null) {
            throw new IllegalStateException("set " + ROOT_PROPERTY + " to use " + SCHEME + "://");
        }
        return new File(root);
    }

    private static Path toLocal(Path p) {
        URI u = p.toUri();
        if (!SCHEME.equals(u.getScheme())) {
            throw new IllegalArgumentException(p + " is not a " + SCHEME + ":// path");
        }
        return new Path(new File(root(), u.getAuthority() + u.getPath()).toURI());
    }

    /** A status whose path is the mapped one, as a remote file system reports it. */
    private static FileStatus mapped(FileStatus s, Path path) {
        return new FileStatus() {
            @Override
            public long getLen() {
                return s.getLen();
            }

            @Override
            public long getBlockSize() {
                return s.getBlockSize();
            }

            @Override
            public short getReplication() {
                return s.getReplication();
            }

            @Override
            public long getModificationTime() {
                return s.getModificationTime();
            }

            @Override
            public long getAccessTime() {
                return s.getAccessTime();
            }

            @Override
            public boolean isDir() {
                return s.isDir();
            }

            @Override
            public Path getPath() {
                return path;
            }
        };
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(uri);
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(uri);
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return mapped(local.getFileStatus(toLocal(f)), f);
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len)
            throws IOException {
        return local.getFileBlockLocations(
                local.getFileStatus(toLocal(file.getPath())), start, len);
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return local.open(toLocal(f), bufferSize);
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        return local.open(toLocal(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        FileStatus[] entries = local.listStatus(toLocal(f));
        if (entries == null) {
            return null;
        }
        FileStatus[] out = new FileStatus[entries.length];
        for (int i = 0; i < entries.length; i++) {
            out[i] = mapped(entries[i], new Path(f, entries[i].getPath().getName()));
        }
        return out;
    }

    @Override
    public boolean exists(Path f) throws IOException {
        return local.exists(toLocal(f));
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        return local.delete(toLocal(f), recursive);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return local.mkdirs(toLocal(f));
    }

    @Override
    public FSDataOutputStream create(Path f, WriteMode overwriteMode) throws IOException {
        Path target = toLocal(f);
        local.mkdirs(target.getParent());
        return local.create(target, overwriteMode);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return local.rename(toLocal(src), toLocal(dst));
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    /** Registered in {@code META-INF/services/org.apache.flink.core.fs.FileSystemFactory}. */
    public static final class Factory implements FileSystemFactory {
        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return new MappedFileSystem(URI.create(SCHEME + "://" + fsUri.getAuthority() + "/"));
        }
    }
}
