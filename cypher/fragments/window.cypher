{{v}}.ts >= $_from AND {{v}}.ts < $_to
