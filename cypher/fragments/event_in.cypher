{{v}}.{{field}} IN $_values
