{{v}}.{{field}} {{op}} $_value
