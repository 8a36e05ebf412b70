"""Generation on a Ray cluster: the same job store and client API, jobs spread over one Ray actor per GPU.

* ``config``: where the cluster is (``ClusterConfig``: an address, or ``local`` with N workers) and how to say
  that Ray is missing or unreachable, in one line.
* ``connect``: Ray imported (or the line saying how to add it), connected or started within a time limit.
* ``actor``: the Ray actor, one per GPU, holding a warm pipeline: the local worker's own ``Worker`` class, fed
  in-process instead of over a pipe.
* ``dispatcher``: hands claimed jobs to actors, warm models first; cancel, dead actors, outputs coming home.
* ``client``: ``ClusterClient``, a ``GeneratorClient`` whose pump drives the dispatcher; ``open_generator`` picks
  it or the local client.

Ray is the optional ``promptcut[cluster]`` extra: nothing here imports it until a cluster is asked for.
"""
