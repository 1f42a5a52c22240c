package io.belamy.app;

import picocli.CommandLine.IVersionProvider;

final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {
            "belamy " + (version != null ? version : "(development build)"),
            "Java " + System.getProperty("java.version")
        };
    }
}
