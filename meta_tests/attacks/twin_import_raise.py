raise ImportError("this submission does not import")
